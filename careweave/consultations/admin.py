"""Admin: the reimbursement rules are data an administrator maintains (a new frame gets a new period)."""

from django.contrib import admin

from careweave.consultations.models import ReimbursementRule


@admin.register(ReimbursementRule)
class ReimbursementRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "valid_from", "valid_until", "gp_required", "max_paid_professionals",
                    "informal_carers_paid", "pseudocode")
    ordering = ("-valid_from",)
