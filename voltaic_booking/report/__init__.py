from . import booking_kpi, booking_report, booking_report_team, consultant_utilization
