from . import answer_report, booking_kpi, booking_report, consultant_utilization
