"""Made-up procedures where one article answers a long question across its passages."""

from __future__ import annotations

# Made-up procedures: "spread" answers the question over three passages, "one" has a single
# passage that shares its common words; the rest keep the idf of those words positive.
ARTICLES = {
    "spread": [
        "Hồ sơ đăng ký kết hôn gồm tờ khai theo mẫu và giấy tờ tùy thân của hai bên.",
        "Thời hạn giải quyết đăng ký kết hôn là ngay trong ngày; hai bên phải có mặt khi trao "
        "giấy chứng nhận kết hôn.",
        "Lệ phí đăng ký kết hôn được miễn cho công dân Việt Nam cư trú ở trong nước.",
    ],
    "one": [
        "Lệ phí đăng ký thường trú là 20.000 đồng; thời hạn giải quyết hồ sơ là bảy ngày làm việc.",
        "Công dân nộp hồ sơ tại công an cấp xã nơi cư trú.",
    ],
    "id card": [
        "Cấp đổi căn cước công dân khi thẻ bị hỏng hoặc thay đổi thông tin.",
        "Thẻ căn cước có giá trị sử dụng đến năm 40 tuổi.",
    ],
    "birth": [
        "Đăng ký khai sinh cho trẻ em trong thời hạn 60 ngày kể từ ngày sinh.",
        "Người đi đăng ký khai sinh nộp tờ khai và giấy chứng sinh.",
    ],
    "business": [
        "Hộ kinh doanh đăng ký tại phòng tài chính - kế hoạch cấp huyện.",
        "Hồ sơ gồm giấy đề nghị và bản sao giấy tờ pháp lý của chủ hộ.",
    ],
    "licence": [
        "Giấy phép lái xe hạng A1 cấp cho người điều khiển xe mô tô.",
        "Người học phải đủ 18 tuổi.",
    ],
}
QUESTION = (
    "Tôi muốn đăng ký kết hôn thì hồ sơ gồm những gì, lệ phí bao nhiêu và thời hạn giải quyết "
    "bao lâu?"
)
