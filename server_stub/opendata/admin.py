from django.contrib import admin

from .models import Dataset, Group, Resource, Tag


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "update_frequency", "modified_at"]


admin.site.register(Group)
admin.site.register(Tag)
admin.site.register(Resource)
