"""Who sees which bookings and consultants through the ORM."""

from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, new_test_user
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import NOW, VoltaicBookingCase, local, naive, utc


@freeze_time(NOW)
class TestAccessRules(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tuesday_10 = local("Europe/Berlin", 2027, 3, 2, 10, 0)
        cls.own_booking = cls._book(tuesday_10)
        cls.colleague_booking = cls._book(tuesday_10, consultant=cls.other_consultant,
                                          email="tom.baker@vbt-client.example", first_name="Tom", last_name="Baker")
        # the colleague meets a client of an opportunity that belongs to our consultant
        cls.owned_lead = cls.env["crm.lead"].create({
            "name": "VBT Storage for the bakery", "type": "opportunity", "user_id": cls.consultant_user.id,
        })
        cls.booking_of_owned_lead = cls._book(
            local("Europe/Berlin", 2027, 3, 2, 14, 0), consultant=cls.other_consultant, lead_id=cls.owned_lead.id,
            email="lena.fischer@vbt-client.example", first_name="Lena", last_name="Fischer", source="backend")
        cls.all_bookings = cls.own_booking | cls.colleague_booking | cls.booking_of_owned_lead
        cls.consultants = cls.consultant | cls.other_consultant

    def visible_bookings(self, user):
        return self.env["voltaic.booking"].with_user(user).search([("id", "in", self.all_bookings.ids)])

    def test_consultant_sees_own_bookings_and_those_of_own_leads(self):
        self.assertEqual(self.visible_bookings(self.consultant_user), self.own_booking | self.booking_of_owned_lead)
        self.assertEqual(self.visible_bookings(self.other_consultant_user),
                         self.colleague_booking | self.booking_of_owned_lead)
        self.assertEqual(self.own_booking.with_user(self.consultant_user).read(["reference"])[0]["reference"],
                         self.own_booking.reference)
        with self.assertRaises(AccessError):
            self.colleague_booking.with_user(self.consultant_user).read(["reference"])

    def test_consultant_without_sales_rights(self):
        """The consultation group alone: still only the own bookings."""
        user = new_test_user(self.env, "vbt_plain", groups="voltaic_booking.group_user", name="VBT Plain Consultant",
                             email="vbt_plain@vbt-voltaic.example", tz="Europe/Berlin")
        plain = self._make_consultant("VBT Plain Consultant", "vbt_plain", user=user)
        booking = self._book(local("Europe/Berlin", 2027, 3, 3, 10, 0), consultant=plain)
        self.assertEqual(self.env["voltaic.booking"].with_user(user).search(
            [("id", "in", (self.all_bookings | booking).ids)]), booking)
        with self.assertRaises(AccessError):
            self.own_booking.with_user(user).read(["reference"])

    def test_consultant_reads_all_consultants_but_edits_only_own_profile(self):
        as_consultant = self.env["voltaic.consultant"].with_user(self.consultant_user)
        self.assertEqual(as_consultant.search([("id", "in", self.consultants.ids)]), self.consultants)
        self.assertEqual(self.other_consultant.with_user(self.consultant_user).read(["name"])[0]["name"],
                         "VBT Bruno Keller")
        self.consultant.with_user(self.consultant_user).write({"job_title": "Energy Storage Expert"})
        self.assertEqual(self.consultant.job_title, "Energy Storage Expert")
        with self.assertRaises(AccessError):
            self.other_consultant.with_user(self.consultant_user).write({"job_title": "Intern"})
        with self.assertRaises(AccessError):
            as_consultant.create({"name": "VBT Self-made", "user_id": self.portal_user.id})
        with self.assertRaises(AccessError):
            self.other_consultant.with_user(self.consultant_user).unlink()

    def test_manager_sees_and_edits_everything(self):
        self.assertEqual(self.visible_bookings(self.manager), self.all_bookings)
        self.other_consultant.with_user(self.manager).write({"job_title": "Head of Storage"})
        self.assertEqual(self.other_consultant.job_title, "Head of Storage")
        user = new_test_user(self.env, "vbt_new", groups="voltaic_booking.group_user", name="VBT New Consultant")
        created = self.env["voltaic.consultant"].with_user(self.manager).create({
            "name": "VBT New Consultant", "user_id": user.id, "resource_calendar_id": self.calendar.id,
        })
        self.assertEqual(created.user_id, user)

    def test_portal_and_public_users_have_no_orm_access(self):
        for user in (self.portal_user, self.public_user):
            for model in ("voltaic.booking", "voltaic.consultant"):
                with self.subTest(user=user.login, model=model):
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(user).search([])
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(user).check_access("read")
            with self.assertRaises(AccessError):
                self.own_booking.with_user(user).read(["reference", "email"])
            with self.assertRaises(AccessError):
                self.consultant.with_user(user).read(["name"])

    def test_portal_client_does_not_see_own_booking_through_the_orm(self):
        """Even the client of a booking reaches it only through the controllers (token)."""
        self.portal_user.partner_id.email = "vbt.portal@vbt-client.example"
        booking = self._book(local("Europe/Berlin", 2027, 3, 4, 10, 0), email="vbt.portal@vbt-client.example")
        self.assertEqual(booking.partner_id, self.portal_user.partner_id)
        booking.message_subscribe(partner_ids=self.portal_user.partner_id.ids)
        with self.assertRaises(AccessError):
            booking.with_user(self.portal_user).read(["reference"])


@freeze_time(NOW)
class TestMultiCompany(VoltaicBookingCase):
    """A second company with its own consultant: its records stay out of the first company's sight."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.manager.company_id
        cls.company_b = cls.env["res.company"].create({"name": "VBT Voltaic Austria"})
        calendar_b = cls._make_calendar("VBT Vienna Hours", tz="Europe/Vienna")
        calendar_b.company_id = cls.company_b
        team_b = cls.env["crm.team"].create({"name": "VBT Vienna Consulting", "company_id": cls.company_b.id})
        cls.user_b = new_test_user(
            cls.env, "vbt_vera", groups="voltaic_booking.group_user,sales_team.group_sale_salesman",
            name="VBT Vera Wagner", email="vbt_vera@vbt-voltaic.example", tz="Europe/Vienna",
            company_id=cls.company_b.id, company_ids=[Command.set(cls.company_b.ids)])
        cls.consultant_b = cls._make_consultant(
            "VBT Vera Wagner", "vbt_vera", tz="Europe/Vienna", calendar=calendar_b, user=cls.user_b,
            company_id=cls.company_b.id, team_id=team_b.id)
        cls.booking_a = cls._book(local("Europe/Berlin", 2027, 3, 2, 10, 0))
        cls.booking_b = cls._book(local("Europe/Vienna", 2027, 3, 2, 10, 0), consultant=cls.consultant_b,
                                  email="tom.baker@vbt-client.example", first_name="Tom", last_name="Baker")
        # Vera in Vienna meets a client of an opportunity that belongs to Anja in Berlin
        cls.owned_lead = cls.env["crm.lead"].create({
            "name": "VBT Storage for the Vienna bakery", "type": "opportunity", "user_id": cls.consultant_user.id,
        })
        cls.booking_b_of_owned_lead = cls._book(
            local("Europe/Vienna", 2027, 3, 2, 14, 0), consultant=cls.consultant_b, lead_id=cls.owned_lead.id,
            email="lena.fischer@vbt-client.example", first_name="Lena", last_name="Fischer", source="backend")
        cls.bookings = cls.booking_a | cls.booking_b | cls.booking_b_of_owned_lead
        cls.consultants = cls.consultant | cls.other_consultant | cls.consultant_b

    def test_records_carry_the_consultants_company(self):
        self.assertEqual(self.consultant_b.company_id, self.company_b)
        self.assertEqual(self.consultant_b.resource_id.company_id, self.company_b)
        self.assertEqual((self.booking_b | self.booking_b_of_owned_lead).company_id, self.company_b)
        self.assertEqual(self.booking_a.company_id, self.company_a)
        self.assertEqual(self.manager.company_ids, self.company_a)

    def test_manager_of_company_a_does_not_see_company_b(self):
        consultants = self.env["voltaic.consultant"].with_user(self.manager)
        self.assertEqual(consultants.search([("id", "in", self.consultants.ids)]),
                         self.consultant | self.other_consultant)
        bookings = self.env["voltaic.booking"].with_user(self.manager)
        self.assertEqual(bookings.search([("id", "in", self.bookings.ids)]), self.booking_a)
        with self.assertRaises(AccessError):
            self.booking_b.with_user(self.manager).read(["reference"])
        with self.assertRaises(AccessError):
            self.consultant_b.with_user(self.manager).write({"job_title": "Intern"})

    def test_manager_of_both_companies_follows_the_company_switcher(self):
        manager = new_test_user(
            self.env, "vbt_max", groups="voltaic_booking.group_manager", name="VBT Max Multi",
            company_id=self.company_a.id, company_ids=[Command.set((self.company_a | self.company_b).ids)])
        bookings = self.env["voltaic.booking"].with_user(manager)
        self.assertEqual(bookings.with_context(allowed_company_ids=self.company_b.ids).search(
            [("id", "in", self.bookings.ids)]), self.booking_b | self.booking_b_of_owned_lead)
        both = (self.company_a | self.company_b).ids
        self.assertEqual(bookings.with_context(allowed_company_ids=both).search(
            [("id", "in", self.bookings.ids)]), self.bookings)

    def test_consultant_does_not_see_another_companys_bookings_even_of_own_leads(self):
        as_anja = self.env["voltaic.booking"].with_user(self.consultant_user)
        self.assertEqual(as_anja.search([("id", "in", self.bookings.ids)]), self.booking_a)
        with self.assertRaises(AccessError):
            self.booking_b_of_owned_lead.with_user(self.consultant_user).read(["reference"])
        self.assertFalse(self.env["voltaic.consultant"].with_user(self.consultant_user).search(
            [("id", "=", self.consultant_b.id)]))
        as_vera = self.env["voltaic.booking"].with_user(self.user_b)
        self.assertEqual(as_vera.search([("id", "in", self.bookings.ids)]),
                         self.booking_b | self.booking_b_of_owned_lead)

    def test_records_around_bookings_and_reports_follow_the_company(self):
        Extra = self.env["voltaic.consultant.extra.hours"]
        extras = Extra.create([
            {"consultant_id": consultant.id, "date": date(2027, 3, 6), "hour_from": 9, "hour_to": 12}
            for consultant in (self.consultant, self.consultant_b)])
        messages = self.env["voltaic.booking.message"].create([
            {"booking_id": booking.id, "kind": "client_reminder"} for booking in (self.booking_a, self.booking_b)])
        busy = self.env["voltaic.google.busy"].create([
            {"consultant_id": consultant.id, "calendar": "primary", "start": naive(utc(2027, 3, 3, 9, 0)),
             "stop": naive(utc(2027, 3, 3, 10, 0))} for consultant in (self.consultant, self.consultant_b)])
        self.env["voltaic.consultant.utilization"]._refresh(date(2027, 3, 1), date(2027, 3, 7))

        def visible(model, domain):
            return self.env[model].with_user(self.manager).search(domain)

        self.assertEqual(visible("voltaic.consultant.extra.hours", [("id", "in", extras.ids)]).consultant_id,
                         self.consultant)
        self.assertEqual(visible("voltaic.booking.message", [("id", "in", messages.ids)]).booking_id,
                         self.booking_a)
        self.assertEqual(visible("voltaic.google.busy", [("id", "in", busy.ids)]).consultant_id, self.consultant)
        report = visible("voltaic.booking.report", [])
        self.assertIn(self.booking_a.reference, report.mapped("reference"))
        self.assertNotIn(self.booking_b.reference, report.mapped("reference"))
        utilization = visible("voltaic.consultant.utilization", [("week_start", "=", date(2027, 3, 1))])
        self.assertIn(self.consultant, utilization.consultant_id)
        self.assertNotIn(self.consultant_b, utilization.consultant_id)
        kpis = visible("voltaic.booking.kpi", [("period", "=", "all")])
        self.assertIn(self.consultant, kpis.consultant_id)
        self.assertNotIn(self.consultant_b, kpis.consultant_id)


@freeze_time(NOW)
class TestManagerScheduleRights(VoltaicBookingCase):
    """Consultation managers (not Odoo administrators) edit the working hours and time off of consultants only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # working hours of the warehouse staff: no consultant follows them
        cls.warehouse_calendar = cls._make_calendar("VBT Warehouse Shifts", morning=(6, 10), lunch=(10, 10.5),
                                                    afternoon=(10.5, 14))
        cls.storekeeper = new_test_user(cls.env, "vbt_storekeeper", groups="base.group_user", name="VBT Sven Store")
        cls.storekeeper_resource = cls.env["resource.resource"].create({
            "name": "VBT Sven Store", "user_id": cls.storekeeper.id, "calendar_id": cls.warehouse_calendar.id,
        })

    def test_the_manager_is_no_administrator(self):
        self.assertFalse(self.manager.has_group("base.group_system"))
        self.assertFalse(self.manager.has_group("base.group_erp_manager"))

    def test_manager_edits_the_working_hours_consultants_follow(self):
        calendar = self.calendar.with_user(self.manager)
        calendar.write({"name": "VBT Consultation Hours (summer)"})
        calendar.attendance_ids[0].write({"hour_from": 9})
        calendar.write({"attendance_ids": [Command.create({
            "name": "Saturday", "dayofweek": "5", "hour_from": 9, "hour_to": 12, "day_period": "morning"})]})
        self.assertEqual(len(self.calendar.attendance_ids), 16)
        self.consultant.resource_id.with_user(self.manager).write({"tz": "Europe/Vienna"})
        self.assertEqual(self.consultant.tz, "Europe/Vienna")

    def test_manager_cannot_edit_working_hours_no_consultant_follows(self):
        warehouse = self.warehouse_calendar.with_user(self.manager)
        self.assertEqual(warehouse.name, "VBT Warehouse Shifts", "still readable")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            warehouse.write({"name": "Hijacked"})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            warehouse.attendance_ids[0].write({"hour_from": 0})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["resource.calendar.attendance"].with_user(self.manager).create({
                "calendar_id": warehouse.id, "name": "Night", "dayofweek": "0", "hour_from": 20, "hour_to": 23,
                "day_period": "afternoon"})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            warehouse.unlink()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["resource.calendar"].with_user(self.manager).create({"name": "VBT Anything"})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.storekeeper_resource.with_user(self.manager).write({"tz": "Asia/Tokyo"})

    def test_administrators_keep_their_rights_when_they_manage_consultations(self):
        admin = new_test_user(self.env, "vbt_admin", groups="base.group_system,voltaic_booking.group_manager",
                              name="VBT Ada Admin")
        self.warehouse_calendar.with_user(admin).write({"name": "VBT Warehouse Shifts (winter)"})
        self.warehouse_calendar.attendance_ids[0].with_user(admin).write({"hour_from": 7})
        self.env["resource.calendar"].with_user(admin).create({"name": "VBT Office Hours"})

    def test_manager_gives_a_consultant_own_hours_and_edits_them(self):
        consultant = self.consultant.with_user(self.manager)
        consultant.action_use_own_calendar()
        own = self.consultant.resource_calendar_id
        self.assertEqual(own.voltaic_consultant_id, self.consultant)
        form = Form(consultant)
        form.calendar_attendance_ids.remove(index=0)
        form.save()
        self.assertEqual(len(own.attendance_ids), len(self.calendar.attendance_ids) - 1)
        own.attendance_ids[0].with_user(self.manager).write({"hour_to": 12.5})
        own.with_user(self.manager).write({"tz": "Europe/Vienna"})
        # a consultant who went back to shared hours: the own ones stay theirs
        self.consultant.resource_calendar_id = self.calendar
        own.with_user(self.manager).write({"name": "VBT Anja's old hours"})

    def test_manager_adds_time_off_for_consultants_not_for_other_staff(self):
        Leaves = self.env["resource.calendar.leaves"].with_user(self.manager)
        leave = Leaves.create({
            "name": "VBT Fair", "resource_id": self.consultant.resource_id.id,
            "calendar_id": self.calendar.id, "date_from": naive(utc(2027, 3, 8, 7)),
            "date_to": naive(utc(2027, 3, 8, 18)), "time_type": "leave",
        })
        leave.write({"name": "VBT Trade fair"})
        form = Form(self.other_consultant.with_user(self.manager))
        with form.leave_ids.new() as line:
            line.name = "VBT Holiday"
            line.date_from = naive(utc(2027, 3, 9, 0))
            line.date_to = naive(utc(2027, 3, 12, 22))
        form.save()
        self.assertEqual(self.other_consultant.leave_ids.name, "VBT Holiday")
        self.assertEqual(self._day(self.consultant, "Europe/Berlin", 2027, 3, 8), [])
        storekeeper_leave = self.env["resource.calendar.leaves"].create({
            "name": "VBT Sick", "resource_id": self.storekeeper_resource.id,
            "calendar_id": self.warehouse_calendar.id, "date_from": naive(utc(2027, 3, 8, 5)),
            "date_to": naive(utc(2027, 3, 8, 13)),
        })
        self.assertEqual(storekeeper_leave.with_user(self.manager).name, "VBT Sick", "still readable")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            storekeeper_leave.with_user(self.manager).write({"date_to": naive(utc(2027, 3, 12, 13))})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Leaves.create({"name": "VBT Sick", "resource_id": self.storekeeper_resource.id,
                           "date_from": naive(utc(2027, 3, 15, 5)), "date_to": naive(utc(2027, 3, 15, 13))})

    def test_manager_adds_public_holidays_from_the_menu(self):
        action = self.env["ir.actions.act_window"].with_user(self.manager)._for_xml_id(
            "voltaic_booking.voltaic_public_holiday_action")
        Holidays = self.env["resource.calendar.leaves"].with_user(self.manager).with_context(
            **safe_eval(action["context"]))
        company_wide = Holidays.create({
            "name": "VBT Founders' Day",
            "date_from": naive(utc(2027, 3, 10, 0)), "date_to": naive(utc(2027, 3, 10, 23)),
        })
        self.assertFalse(company_wide.resource_id or company_wide.calendar_id)
        self.assertEqual(self._day(self.consultant, "Europe/Berlin", 2027, 3, 10), [])
        on_consultant_hours = Holidays.create({
            "name": "VBT Team Day", "calendar_id": self.calendar.id,
            "date_from": naive(utc(2027, 3, 11, 0)), "date_to": naive(utc(2027, 3, 11, 23)),
        })
        on_consultant_hours.write({"name": "VBT Team Offsite"})
        self.assertEqual(Holidays.search(safe_eval(action["domain"])) & (company_wide | on_consultant_hours),
                         company_wide | on_consultant_hours)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Holidays.create({
                "name": "VBT Inventory", "calendar_id": self.warehouse_calendar.id,
                "date_from": naive(utc(2027, 3, 12, 0)), "date_to": naive(utc(2027, 3, 12, 23)),
            })
        company_wide.unlink()

    def test_consultants_keep_their_rights(self):
        """Consultants still only read working hours: they edit their own through the consultant form."""
        with self.assertRaises(AccessError):
            self.calendar.with_user(self.consultant_user).write({"name": "Mine"})
        self.consultant.with_user(self.consultant_user).action_use_own_calendar()
        own = self.consultant.resource_calendar_id
        with self.assertRaises(AccessError):
            own.with_user(self.consultant_user).write({"name": "Mine"})
        self.consultant.with_user(self.consultant_user).write({"calendar_attendance_ids": [Command.delete(
            own.attendance_ids[0].id)]})
        self.assertEqual(len(own.attendance_ids), len(self.calendar.attendance_ids) - 1)


class TestTemplateEditing(VoltaicBookingCase):

    def test_manager_group_does_not_imply_mail_template_editor(self):
        manager_group = self.env.ref("voltaic_booking.group_manager")
        editor = self.env.ref("mail.group_mail_template_editor")
        self.assertNotIn(editor, manager_group.all_implied_ids)
        self.assertFalse(self.manager.has_group("mail.group_mail_template_editor"))
        template = self.env.ref("voltaic_booking.mail_template_client_reminder")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            template.with_user(self.manager).write({"subject": "See you soon, {{ object.first_name }}"})
        # the explicit way: an administrator makes the manager a Mail Template Editor
        self.manager.group_ids = [Command.link(editor.id)]
        template.with_user(self.manager).write({"subject": "See you soon, {{ object.first_name }}"})
        self.assertEqual(template.subject, "See you soon, {{ object.first_name }}")
