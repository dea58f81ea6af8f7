"""The helplines a new deployment starts with (loaded by migration 0003 and by
``groups.services.help_resources_add_defaults``). Admins edit them afterwards.

Plain data only: a migration imports this module."""

DEFAULT_HELP_RESOURCES = [
    {
        "country_code": "GB",
        "order": 10,
        "name": "National Domestic Abuse Helpline",
        "phone": "0808 2000 247",
        "text_line": "",
        "website": "https://www.nationaldahelpline.org.uk/",
        "hours": "24 hours, free",
        "description": "Confidential support for anyone experiencing domestic abuse, run by Refuge.",
    },
    {
        "country_code": "GB",
        "order": 20,
        "name": "Samaritans",
        "phone": "116 123",
        "text_line": "",
        "website": "https://www.samaritans.org/",
        "hours": "24 hours, free",
        "description": "Someone to talk to, whatever you are going through.",
    },
    {
        "country_code": "US",
        "order": 10,
        "name": "988 Suicide & Crisis Lifeline",
        "phone": "988",
        "text_line": "Text 988",
        "website": "https://988lifeline.org/",
        "hours": "24 hours, free",
        "description": "Call or text 988 for free, confidential support in a crisis.",
    },
    {
        "country_code": "US",
        "order": 20,
        "name": "National Domestic Violence Hotline",
        "phone": "1-800-799-7233",
        "text_line": "Text START to 88788",
        "website": "https://www.thehotline.org/",
        "hours": "24 hours, free",
        "description": "Confidential support for anyone affected by relationship abuse.",
    },
]


# Each deployment's emergency number, named in the help section's first sentence
# ("If you are in immediate danger, call 999"): a help resource with emergency=True,
# which admins edit like the others. Added by migration 0009.
DEFAULT_EMERGENCY_NUMBERS = [
    {"country_code": "GB", "order": 0, "name": "Emergency services", "phone": "999", "emergency": True},
    {"country_code": "US", "order": 0, "name": "Emergency services", "phone": "911", "emergency": True},
]
