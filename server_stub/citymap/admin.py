from django.contrib import admin

from .models import Feature, Layer, Report


class FeatureInline(admin.TabularInline):
    model = Feature
    extra = 1


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["slug", "title"]
    inlines = [FeatureInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
