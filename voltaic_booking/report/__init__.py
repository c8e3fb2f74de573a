from . import booking_kpi, booking_report, consultant_utilization
