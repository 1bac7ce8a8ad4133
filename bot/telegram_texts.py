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
    "/help — hướng dẫn này"
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
)
ASK_EMPTY = "Hãy gõ câu hỏi sau lệnh, ví dụ: <code>/ask Chính quyền số là gì?</code>"
NOT_TEXT = (
    "Tôi chỉ đọc được câu hỏi bằng chữ. Bạn hãy gõ câu hỏi nhé, ví dụ: “Chính quyền số là gì?”"
)
FLOOD = "Bạn hỏi hơi nhanh 🙂 Vui lòng đợi một phút rồi hỏi tiếp nhé."
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
