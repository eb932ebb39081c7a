from django.contrib import admin

from .models import ApiToken, Dataset, DatasetRequest, Group, Resource, Tag


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "update_frequency", "modified_at"]


admin.site.register(Group)
admin.site.register(Tag)
admin.site.register(Resource)


@admin.register(DatasetRequest)
class DatasetRequestAdmin(admin.ModelAdmin):
    """Publishers answer residents' requests: status, answer, the dataset that fulfils it."""

    list_display = ["title", "status", "created_at"]
    list_filter = ["status"]
    fields = ["title", "reason", "status", "answer", "dataset"]
    readonly_fields = ["title", "reason"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by ``city-server issue-api-token``; here they are only seen and revoked."""

    list_display = ["hint", "user", "created_at", "last_used_at", "revoked_at"]
    fields = ["hint", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["hint", "user", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
