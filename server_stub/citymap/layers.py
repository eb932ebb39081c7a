"""Layers managed by data publishers (permission ``publish_data``) on their own pages, not only in the
admin: create and edit a layer with its attributes, add and remove its objects; and residents'
proposals of new layers (a form for signed-in residents, reviewed by the publishers)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from server_stub.core.pages import Pages
from server_stub.core.roles import staff_required

from .models import Feature, Layer, LayerProposal

ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,29}$")

pages = Pages()


class LayerForm(forms.ModelForm):
    attributes_text = forms.CharField(
        label=gettext_lazy("Attributes, one a line: name | label"), required=False, widget=forms.Textarea(
            attrs={"rows": 4}), help_text=gettext_lazy("e.g. hours | Години роботи"))

    class Meta:
        model = Layer
        fields = ["slug", "title", "description", "color"]
        labels = {"slug": gettext_lazy("Short name in addresses (latin letters, digits, -)"),
                  "color": gettext_lazy("Colour (#rrggbb)")}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["attributes_text"].initial = "\n".join(
                f"{a['name']} | {a.get('label', '')}" for a in self.instance.attributes)

    def clean_color(self) -> str:
        value = self.cleaned_data["color"]
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise forms.ValidationError(_("A colour is # and six hexadecimal digits."))
        return value

    def clean_attributes_text(self) -> list[dict[str, str]]:
        out = []
        for line in self.cleaned_data["attributes_text"].splitlines():
            if not line.strip():
                continue
            name, _sep, label = (p.strip() for p in line.partition("|"))
            if not ATTRIBUTE_NAME.fullmatch(name):
                raise forms.ValidationError(_("Attribute names: latin lower-case letters, digits and _."))
            out.append({"name": name, "label": label[:100] or name, "type": "string"})
        if len(out) > 30 or len({a["name"] for a in out}) != len(out):
            raise forms.ValidationError(_("At most 30 attributes, each name once."))
        return out

    def save(self, commit: bool = True) -> Layer:
        self.instance.attributes = self.cleaned_data["attributes_text"]
        return super().save(commit)


class FeatureForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), min_value=-180, max_value=180)

    def __init__(self, layer: Layer, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for a in layer.attributes:
            self.fields[f"attr_{a['name']}"] = forms.CharField(label=a.get("label") or a["name"], max_length=300,
                                                               required=False)

    def values(self) -> dict[str, str]:
        return {k[5:]: v for k, v in self.cleaned_data.items() if k.startswith("attr_") and v}


class ProposalForm(forms.ModelForm):
    class Meta:
        model = LayerProposal
        fields = ["title", "description", "source"]


@pages.route("layers/", name="layers")
@staff_required("publish_data")
def layers(request: HttpRequest) -> HttpResponse:
    """The publishers' list of layers, a new layer, and residents' proposals to accept or decline."""
    form = LayerForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            form = LayerForm(request.POST)
            if form.is_valid():
                layer = form.save()
                messages.success(request, _("Layer %(title)s created.") % {"title": layer.title})
                return redirect("citymap:layer", slug=layer.slug)
        elif action in ("accept", "decline"):
            return _review(request, action)
    pending = LayerProposal.objects.filter(status="pending")
    return render(request, "citymap/layers.html", {"layers": Layer.objects.all(), "form": form,
                                                   "pending": pending})


def _review(request: HttpRequest, action: str) -> HttpResponse:
    p = get_object_or_404(LayerProposal, pk=request.POST.get("proposal") or 0, status="pending")
    p.note = request.POST.get("note", "")[:300]
    if action == "decline":
        p.status = "rejected"
        p.save(update_fields=["status", "note"])
        messages.success(request, _("Proposal %(id)s declined.") % {"id": p.pk})
        return redirect("citymap:layers")
    form = LayerForm({"slug": request.POST.get("slug", ""), "title": p.title, "description": p.description,
                      "color": "#004a99", "attributes_text": ""})
    if not form.is_valid():
        messages.error(request, _("Proposal %(id)s: give the new layer a free short name (latin letters, digits, -).")
                       % {"id": p.pk})
        return redirect("citymap:layers")
    p.layer, p.status = form.save(), "accepted"
    p.save(update_fields=["layer", "status", "note"])
    messages.success(request, _("Proposal %(id)s accepted: layer %(title)s created.") % {"id": p.pk,
                                                                                        "title": p.layer.title})
    return redirect("citymap:layer", slug=p.layer.slug)


@pages.route("layers/<slug:slug>/", name="layer")
@staff_required("publish_data")
def layer(request: HttpRequest, slug: str) -> HttpResponse:
    """One layer: its settings and attributes, its objects, a new object, removing one."""
    la = get_object_or_404(Layer, slug=slug)
    form, feature_form = LayerForm(instance=la), FeatureForm(la)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit":
            form = LayerForm(request.POST, instance=la)
            if form.is_valid():
                form.save()
                messages.success(request, _("Saved."))
                return redirect("citymap:layer", slug=la.slug)
        elif action == "add":
            feature_form = FeatureForm(la, request.POST)
            if feature_form.is_valid():
                d = feature_form.cleaned_data
                Feature.objects.create(layer=la, name=d["name"], lat=d["lat"], lon=d["lon"],
                                       attributes=feature_form.values())
                messages.success(request, _("Object %(name)s added.") % {"name": d["name"]})
                return redirect("citymap:layer", slug=la.slug)
        elif action == "remove":
            f = get_object_or_404(Feature, pk=request.POST.get("feature") or 0, layer=la)
            f.delete()
            messages.success(request, _("Object %(name)s removed.") % {"name": f.name})
            return redirect("citymap:layer", slug=la.slug)
    return render(request, "citymap/layer.html", {"layer": la, "form": form, "feature_form": feature_form,
                                                  "features": la.features.all()})


@pages.route("proposals/new/", name="propose")
@login_required(login_url="/auth/bankid/")
def propose(request: HttpRequest) -> HttpResponse:
    """A resident proposes a layer; their proposals and what became of them are listed below."""
    form = ProposalForm()
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if form.is_valid():
            p = form.save(commit=False)
            p.author = request.user
            p.save()
            messages.success(request, _("Thank you. The data publishers will review your proposal."))
            return redirect("citymap:propose")
    mine = LayerProposal.objects.filter(author=request.user).select_related("layer")
    return render(request, "citymap/propose.html", {"form": form, "mine": mine})
