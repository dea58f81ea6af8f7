from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from facilitator import account_views, views

# The admin's own password-only login would skip the second step and the rate
# limits: send it to allauth's sign-in instead.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Facilitator dashboard administration")
admin.site.site_title = _("Facilitator dashboard")

# The site's own error pages (member paths get the member layout's: groups.middleware).
handler400 = "facilitator.errors.bad_request"
handler403 = "facilitator.errors.permission_denied"
handler404 = "facilitator.errors.page_not_found"
handler500 = "facilitator.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/invitation/<str:token>/", account_views.invitation_accept, name="invitation_accept"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("groups.urls")),
    path("", include("content.urls")),
    path("", include("groups.checkins.urls")),
]

if settings.DEBUG:  # pragma: no cover - development convenience only
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
