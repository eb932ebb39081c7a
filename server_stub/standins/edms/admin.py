from django.contrib import admin

from .models import AdditionalDocument, ImportRecord, Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["registration_index", "number", "status", "deadline", "registered_at"]
    list_filter = ["status", "kind"]


admin.site.register(AdditionalDocument)
admin.site.register(ImportRecord)
