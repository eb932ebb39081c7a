"""The staff roles as data (no Django imports, so docs and tests can read it): one Django group per
kind of staff work, each a set of named permissions ``core.<codename>``. server_stub/core/roles.py
creates the groups and checks the permissions; docs/server.md shows this table for people."""

from __future__ import annotations

from dataclasses import dataclass

# codename -> what it allows (English; the group names carry the Ukrainian)
PERMISSIONS: dict[str, str] = {
    "moderate_petitions": "Moderate petitions: the queue with authors' names, publish, reject",
    "moderate_reports": "Moderate residents' map reports, see reports awaiting moderation",
    "answer_appeals": "Read appeals of one's executive body (cards, scans), answer, extend, forward",
    "respond_petitions": "Publish the council's response to a petition",
    "manage_budget": "Participatory budget: cycles, phases, project review, milestones",
    "enter_paper": "Enter paper petition signatures and paper budget ballots",
    "handle_requests": "Contact centre: register calls, change the status of service requests",
    "report_requests": "Contact-centre reports: requests, overdue and ratings by department and category",
    "manage_appointments": "Open reception slots, see who booked them",
    "publish_data": "Open data and open budget: datasets, imports, map layers and residents' layer proposals",
    "send_newsletters": "Write and send newsletter issues",
    "run_consultations": "Publish consultations and surveys, close them with a summary",
    "run_meetings": "Schedule commission meetings, open and close votes, close meetings",
    "publish_council": "Deputies' reports, imports of roll-call votes",
    "view_fleet": "Terminal fleet: state of every terminal, credentials",
}


@dataclass(frozen=True)
class Role:
    group: str  # the Django group's name: Ukrainian / English
    user: str  # the demo user holding this role
    permissions: tuple[str, ...]  # codenames of PERMISSIONS
    admin_models: tuple[str, ...] = ()  # "app_label.codename" model permissions for /admin/


ROLES: tuple[Role, ...] = (
    Role("Модератор петицій / Petition moderator", "moderator", ("moderate_petitions", "moderate_reports"),
         ("citymap.view_report", "citymap.change_report")),
    Role("Посадовець / Official answering appeals", "official", ("answer_appeals", "respond_petitions")),
    Role("Координатор бюджету / Budget coordinator", "budget", ("manage_budget",)),
    Role("Оператор контакт-центру / Contact-centre operator", "operator",
         ("handle_requests", "enter_paper", "manage_appointments", "report_requests"),
         ("contact.view_servicerequest", "contact.change_servicerequest", "contact.view_category",
          "contact.view_notice", "contact.add_notice", "contact.change_notice", "contact.delete_notice")),
    Role("Публікатор даних / Data publisher", "publisher", ("publish_data", "send_newsletters", "run_consultations"),
         tuple(f"{app}.{verb}_{model}" for app, models in (("opendata", ("dataset", "resource", "group", "tag",
                                                                        "datasetrequest")),
                                                           ("citymap", ("layer", "feature")))
               for model in models for verb in ("view", "add", "change", "delete"))),
    Role("Секретар ради / Council secretary", "secretary", ("run_meetings", "publish_council")),
    Role("Технік терміналів / Terminal technician", "technician", ("view_fleet",),
         ("terminals.view_terminal", "terminals.add_terminal", "terminals.change_terminal",
          "terminals.view_terminalcredential", "terminals.change_terminalcredential", "terminals.view_terminalevent")),
)
ADMIN_GROUP = "Адміністратор / Administrator"  # every permission; the demo's ``admin`` is also a superuser
ADMIN_USER = "admin"
