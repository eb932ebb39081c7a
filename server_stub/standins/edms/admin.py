from django.contrib import admin

from .models import AdditionalDocument, ExecutiveBody, ImportRecord, Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["registration_index", "number", "status", "deadline", "registered_at"]
    list_filter = ["status", "kind"]


admin.site.register(AdditionalDocument)
admin.site.register(ImportRecord)


@admin.register(ExecutiveBody)
class ExecutiveBodyAdmin(admin.ModelAdmin):
    """The administrator puts officials into executive bodies: an official reads the appeals of those bodies."""

    list_display = ["name", "receives_unrouted"]
    filter_horizontal = ["officials"]
