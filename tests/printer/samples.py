"""Slips as the kiosk hands them to the printer: realistic texts in vi, km and en."""

from __future__ import annotations

from hardware.printer import FontFiles
from kiosk.paths import FONT_FILES
from kiosk.printing import ChecklistItem, ChecklistSlip, TicketSlip

FONTS = FontFiles.from_mapping(dict(FONT_FILES))
STATUS_URL = "http://192.168.1.10:8080/t/Zq3k9X2mP7aLwE4rT8yBvN"
ONLINE_URL = (
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193"
)
KHMER_SERVICE = "ការបញ្ជាក់ឯកសារ"

TICKETS = {
    "vi": TicketSlip(
        centre_name="Trung tâm Phục vụ hành chính công xã Lịch Hội Thượng",
        number="B007",
        service_name="Chứng thực",
        lang="vi",
        issued_text="09:41 05/03/2025",
        people_ahead_text="Trước bạn còn 3 người",
        wait_text="Thời gian chờ dự kiến: khoảng 24 phút",
        counters_text="Quầy 1 – Ưu tiên · Quầy 2",
        qr_url=STATUS_URL,
        qr_caption="Quét mã để theo dõi lượt của bạn",
        heading_text="Số thứ tự của bạn",
        footer_text="Vui lòng giữ phiếu và chú ý nghe gọi số.",
    ),
    "km": TicketSlip(
        centre_name="មជ្ឈមណ្ឌលបម្រើរដ្ឋបាលសាធារណៈ ឃុំ Lịch Hội Thượng",
        number="B007",
        service_name=KHMER_SERVICE,
        service_name_vi="Chứng thực",
        lang="km",
        issued_text="០៩:៤១ ០៥/០៣/២០២៥",
        people_ahead_text="មានមនុស្ស ៣ នាក់នៅមុនអ្នក",
        wait_text="រយៈពេលរង់ចាំប្រហែល ២៤ នាទី",
        counters_text="បញ្ជរ ១ – អាទិភាព · បញ្ជរ ២",
        qr_url=STATUS_URL,
        qr_caption="ស្កេនដើម្បីតាមដានវេនរបស់អ្នក",
        heading_text="លេខរបស់អ្នក",
        footer_text="សូមរក្សាសំបុត្រនេះ ហើយស្ដាប់ការហៅលេខរបស់អ្នក។",
    ),
    "en": TicketSlip(
        centre_name="Lịch Hội Thượng Commune Public Administration Service Centre",
        number="B007",
        service_name="Certification",
        service_name_vi="Chứng thực",
        lang="en",
        issued_text="09:41, 5 Mar 2025",
        people_ahead_text="3 people ahead of you",
        wait_text="Estimated wait: about 24 min",
        counters_text="Counter 1 – Priority · Counter 2",
        qr_url=STATUS_URL,
        qr_caption="Scan to follow your turn",
        heading_text="Your number",
        footer_text="Please keep your ticket and listen for your number.",
    ),
}

CHECKLIST_KM = ChecklistSlip(
    title="ឯកសារដែលត្រូវយកមក",
    procedure_name="ការចុះបញ្ជីកំណើត",
    lang="km",
    procedure_code="លេខកូដនីតិវិធី 1.001193",
    items=(
        ChecklistItem("ពាក្យស្នើសុំចុះបញ្ជីកំណើតតាមគំរូ", "ច្បាប់ដើម ១", "ឯកសារត្រូវដាក់"),
        ChecklistItem("លិខិតបញ្ជាក់កំណើត ឬលិខិតរបស់សាក្សី ប្រសិនបើគ្មាន", "ច្បាប់ដើម ១", "ឯកសារត្រូវដាក់"),
        ChecklistItem("អត្តសញ្ញាណប័ណ្ណ ឬលិខិតឆ្លងដែនរបស់អ្នកមកចុះបញ្ជី", "", "ឯកសារត្រូវបង្ហាញ"),
    ),
    note_text="ថ្លៃសេវា៖ ឥតគិតថ្លៃ បើចុះបញ្ជីទាន់ពេល",
    qr_url=ONLINE_URL,
    qr_caption="ស្កេនដើម្បីដាក់ពាក្យតាមអនឡាញ",
)
