from tests.authz import OK, Rule, everyone

RULES = [
    # Member pages: public, no account.
    Rule("groups:member_help", everyone(OK)),
    Rule("groups:member_safety", everyone(OK)),
]
