"""A model edited as one row in the admin (thresholds, guidance, the accessibility
statement): the list goes straight to the row, made on first visit with its defaults;
no second row can be added and the row cannot be deleted."""

from django.contrib import admin
from django.shortcuts import redirect


class SingletonModelAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row, _created = self.model.objects.get_or_create(pk=1)
        meta = self.model._meta
        return redirect(f"admin:{meta.app_label}_{meta.model_name}_change", row.pk)
