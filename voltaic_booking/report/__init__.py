from . import answer_report, booking_kpi, booking_report, booking_report_team, consultant_utilization
