from django.contrib import admin

from .models import ApiKey, Category, Notice, ServiceRequest, StatusChange


class HistoryInline(admin.TabularInline):
    model = StatusChange
    extra = 0


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "category", "status", "requested_at", "expected_at", "channel"]
    list_filter = ["status", "category", "channel"]
    inlines = [HistoryInline]


admin.site.register(Category)
admin.site.register(Notice)
admin.site.register(ApiKey)
