from tests.authz import LOGIN, OK, REDIRECT, Rule, everyone, per_role, signed_in

RULES = [
    Rule("home", signed_in(OK)),
    Rule("healthz", everyone(OK)),
    Rule(
        "admin:index",
        per_role(anonymous=REDIRECT, owner=REDIRECT, cofacilitator=REDIRECT, outsider=REDIRECT, admin=OK),
    ),
    Rule(
        "account_login",
        per_role(anonymous=OK, owner=REDIRECT, cofacilitator=REDIRECT, outsider=REDIRECT, admin=REDIRECT),
    ),
    Rule("account_change_password", signed_in(OK)),
    Rule("mfa_index", signed_in(OK)),
]

# URL names owned by Django's admin and allauth, which carry their own access
# checks. Each prefix is sampled by at least one explicit rule above.
DELEGATED_PREFIXES = {
    "admin:": "Django admin: staff only, checked by admin.site.admin_view",
    "account_": "allauth account views: public entry points or login_required inside allauth",
    "mfa_": "allauth MFA views: login_required inside allauth",
}
_ = LOGIN
