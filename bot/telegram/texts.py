"""Every sentence the Telegram bot writes that does not come from an article."""

from __future__ import annotations

GREETING = (
    "Xin chào{name}! Tôi là trợ lý hỏi đáp về <b>chính quyền số</b> và <b>dịch vụ công</b>.\n\n"
    "Tôi tìm câu trả lời trong {articles} bài viết chính thống và luôn ghi rõ nguồn. "
    "Bạn cứ gõ câu hỏi, có dấu hay không dấu đều được. Ví dụ:"
)
HELP = (
    "<b>Cách hỏi</b>\n"
    "• Gõ câu hỏi bằng tiếng Việt, có dấu hoặc không dấu: “chinh quyen so la gi”.\n"
    "• Viết tắt quen thuộc đều hiểu: CCCD, DVC, TTHC, UBND, VNeID…\n"
    "• Trong nhóm: nhắc tên @{username}, trả lời tin nhắn của tôi, hoặc dùng /ask câu hỏi.\n"
    "• Ở bất kỳ cuộc trò chuyện nào: gõ @{username} rồi câu hỏi.\n\n"
    "<b>Lệnh</b>\n"
    "/ask — hỏi một câu\n/sources — các bài viết tôi dựa vào\n/about — giới thiệu\n"
    "/privacy — dữ liệu được lưu\n/forget — xoá dữ liệu của tôi\n/help — hướng dẫn này"
)
ABOUT = (
    "<b>Trợ lý hỏi đáp chính quyền số</b> (mã nguồn mở, phiên bản {version}).\n"
    "Tôi trả lời bằng các đoạn trích từ {articles} bài viết ({passages} đoạn) do cán bộ "
    "chính quyền điện tử thành phố biên tập, kèm nguồn để bạn kiểm chứng. "
    "Tôi không thay thế văn bản chính thức hay cán bộ tiếp nhận hồ sơ.\n\n{contact}"
)
COMMANDS = (
    ("start", "Bắt đầu và câu hỏi mẫu"),
    ("ask", "Đặt câu hỏi: /ask câu hỏi"),
    ("sources", "Các bài viết làm nguồn"),
    ("help", "Hướng dẫn sử dụng"),
    ("about", "Giới thiệu trợ lý"),
    ("privacy", "Dữ liệu được lưu và thời hạn"),
    ("forget", "Xoá dữ liệu của tôi"),
)
ASK_EMPTY = "Hãy gõ câu hỏi sau lệnh, ví dụ: <code>/ask Chính quyền số là gì?</code>"
NOT_TEXT = (
    "Tôi chỉ đọc được câu hỏi bằng chữ. Bạn hãy gõ câu hỏi nhé, ví dụ: “Chính quyền số là gì?”"
)
SMALL_TALK_HELP = "Gõ /help để xem cách hỏi và các lệnh."
FLOOD = "Bạn hỏi hơi nhanh 🙂 Vui lòng đợi một phút rồi hỏi tiếp nhé."
PERSONAL_DATA = (
    "🔒 Bạn không cần gửi số CCCD, số điện thoại hay thông tin cá nhân khác: "
    "tôi đã che các thông tin đó và không lưu lại."
)
ERROR = "Xin lỗi, tôi gặp sự cố khi trả lời. Bạn vui lòng thử lại sau ít phút."
VOTE_THANKS = {
    1: "Cảm ơn bạn! 👍 đã được ghi nhận.",
    -1: "Cảm ơn bạn! Chúng tôi sẽ cải thiện câu trả lời.",
}
EXPIRED = "Câu trả lời này không còn trong hệ thống, bạn hãy hỏi lại nhé."
NO_MORE = "Không còn đoạn nào khác."
SOURCES_TITLE = "<b>Các bài viết trong kho tri thức</b> (trang {page}/{pages}):"
SOURCES_EMPTY = "Kho tri thức hiện chưa có bài viết nào."
MORE_TITLE = "<b>Thêm thông tin liên quan</b> (trang {page}):"
PRIVACY = (
    "<b>Dữ liệu tôi lưu về bạn</b>\n"
    "• Câu hỏi bạn gửi, thời điểm hỏi, loại cuộc trò chuyện (riêng hay nhóm) và các đoạn "
    "đã dùng để trả lời — để cán bộ biên tập biết câu nào chưa trả lời được. Số CCCD/CMND, "
    "số điện thoại, email, biển số xe và họ tên trong câu hỏi được che trước khi lưu.\n"
    "• Đánh giá 👍/👎 của bạn.\n"
    "• Câu hỏi tiếp theo (trả lời tin của tôi, hoặc hỏi tiếp trong vài phút) được hiểu theo "
    "câu hỏi trước đó, lấy từ chính các câu hỏi đã lưu ở trên.\n"
    "• Chỉ khi bạn bấm «Báo cho tôi khi có câu trả lời»: mã cuộc trò chuyện, gắn với câu hỏi "
    "đó, để nhắn bạn một lần khi có câu trả lời; xoá ngay sau khi đã nhắn.\n"
    "• Tin bạn gửi cho tôi được giữ nguyên văn chỉ đến khi tôi trả lời xong (để không mất câu "
    "hỏi nếu bot phải khởi động lại), sau đó chỉ còn số thứ tự của tin trong một ngày.\n"
    "• Mã người dùng chỉ được lưu dưới dạng băm có muối: không lưu tên, số điện thoại "
    "hay mã Telegram gốc. Tin nhắn trong nhóm không gửi cho tôi thì không được đọc hay lưu.\n\n"
    "<b>Thời hạn</b>: dữ liệu được tự động xoá sau {days} ngày.\n"
    "<b>Xoá ngay</b>: gửi /forget để xoá mọi câu hỏi, đánh giá và yêu cầu báo tin của bạn.\n"
    "Căn cứ: Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân."
)
FORGOTTEN = (
    "Đã xoá toàn bộ dữ liệu của bạn: {questions} câu hỏi (cùng các câu trả lời) và {votes} "
    "lượt đánh giá liên quan. "
    "Các nút trên những câu trả lời cũ sẽ không còn tác dụng."
)
RELOAD_STARTED = "Đang nạp lại kho tri thức… Bot vẫn trả lời bằng dữ liệu cũ trong lúc này."
RELOAD_DONE = "✅ Đã nạp lại: {summary}.\nChỉ mục đang phục vụ: {passages} đoạn{swapped}."
RELOAD_FAILED = "⚠️ Nạp lại thất bại, bot vẫn dùng chỉ mục cũ ({passages} đoạn): {error}"
RELOAD_FILE_ERRORS = "Tệp bị bỏ qua:"
STATS_USAGE = "Dùng: <code>/stats</code> hoặc <code>/stats SỐ_NGÀY</code> (1–365)."
STATS_PLOT_CAPTION = "Số câu hỏi mỗi ngày và tỉ lệ trả lời ({days} ngày)"
ADMIN_COMMANDS = (
    ("stats", "Thống kê câu hỏi (quản trị)"),
    ("reload", "Nạp lại kho tri thức (quản trị)"),
    ("notice", "Thông báo hiện trên mọi câu trả lời (quản trị)"),
    ("unanswered", "Câu hỏi chưa trả lời được, để trả lời (quản trị)"),
    ("faq", "Các mục hỏi đáp đã thêm: xem, sửa, gỡ (quản trị)"),
)
NOTICE_PREFIX = "📢 "
NOTICE_SET = "Đã đặt thông báo. Từ giờ mọi câu trả lời bắt đầu bằng:\n\n📢 {notice}"
NOTICE_OFF = "Đã gỡ thông báo."
NOTICE_NONE = (
    "Chưa có thông báo nào.\nDùng: <code>/notice NỘI DUNG</code> (một dòng, tối đa {limit} ký tự) "
    "để đặt, <code>/notice off</code> để gỡ."
)
NOTICE_NOW = (
    "Thông báo hiện tại:\n\n📢 {notice}\n\nGỡ bằng <code>/notice off</code>, thay bằng "
    "<code>/notice NỘI DUNG</code>."
)
NOTICE_TOO_LONG = (
    "Thông báo dài {length} ký tự; tối đa {limit} ký tự, một dòng. Bạn rút gọn giúp nhé."
)
ABOUT_NOTICE = "\n\n<b>Thông báo:</b> {notice}"
SUBSCRIBED = (
    "Đã ghi nhận. Khi kho tri thức có câu trả lời cho câu hỏi này, tôi sẽ nhắn bạn một lần. "
    "Để làm vậy tôi giữ mã cuộc trò chuyện này cùng câu hỏi, đến khi trả lời xong hoặc hết thời "
    "hạn lưu; /forget xoá ngay."
)
SUBSCRIBED_SHORT = "Đã ghi nhận, tôi sẽ báo bạn."
ANSWER_ARRIVED = "🔔 Câu hỏi bạn gửi trước đây đã có câu trả lời:\n«{question}»"
UNANSWERED_USAGE = "Dùng: <code>/unanswered</code> hoặc <code>/unanswered SỐ_NGÀY</code> (1–365)."
UNANSWERED_NONE = "Không có câu hỏi nào chưa trả lời được trong {days} ngày qua."
UNANSWERED_TITLE = (
    "<b>Câu hỏi chưa trả lời được, {days} ngày qua</b> — trang {page}/{pages} (nhóm theo cách "
    "hỏi, nhiều lượt trước):"
)
ANSWER_PROMPT = (
    "Gửi nội dung câu trả lời cho câu hỏi:\n«{question}»\n\nTrả lời tin này bằng nội dung đó. "
    "Tôi sẽ lưu thành một mục hỏi đáp trong thư mục kho tri thức, nạp lại và báo cho người đã "
    "đăng ký nhận tin."
)
FAQ_SAVED = (
    "Đã lưu mục hỏi đáp vào tệp <code>{file}</code> và nạp lại kho tri thức. Từ giờ câu hỏi "
    "này được trả lời từ mục đó. Xem, sửa hoặc gỡ bằng /faq."
)
FAQ_RELOAD_FAILED = "Đã lưu tệp nhưng nạp lại thất bại (chỉ mục cũ vẫn phục vụ): {error}"
FAQ_NONE = "Chưa có mục hỏi đáp nào thêm từ Telegram. Dùng /unanswered để trả lời câu hỏi."
FAQ_TITLE = "<b>Mục hỏi đáp đã thêm từ Telegram</b> ({count}):"
FAQ_HELP = (
    "Sửa: <code>/faq sua SỐ câu trả lời mới</code>. Gỡ: <code>/faq xoa SỐ</code>. "
    "Mỗi mục là một tệp trong thư mục <code>hoi-dap-bien-tap</code> của kho tri thức."
)
FAQ_WITHDRAWN = "Đã gỡ mục «{question}» và nạp lại kho tri thức."
FAQ_CORRECTED = "Đã sửa câu trả lời cho «{question}» và nạp lại kho tri thức."
