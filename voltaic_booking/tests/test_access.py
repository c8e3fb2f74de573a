"""Who sees which bookings and consultants through the ORM."""

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user

from .common import NOW, VoltaicBookingCase, local


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
