from django import forms
from django.contrib import admin

from .models import Feature, Layer, Report
from .views import ReportForm


class FeatureInline(admin.TabularInline):
    model = Feature
    extra = 1


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["slug", "title"]
    inlines = [FeatureInline]


class ReportAdminForm(forms.ModelForm):
    clean_photo = ReportForm.clean_photo  # a photo uploaded here is re-encoded like a resident's

    class Meta:
        model = Report
        fields = "__all__"


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    form = ReportAdminForm
    list_display = ["pk", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
