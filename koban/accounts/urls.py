from django.urls import path

from koban.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/new/", views.token_create, name="token-create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/lift/", views.lockout_lift, name="lockout-lift"),
    path("password/", views.password_change, name="password-change"),
    path("people/", views.people, name="people"),
    path("people/<int:person_id>/password-reset/", views.password_reset, name="password-reset"),
    path("set-password/<str:uidb64>/<str:token>/", views.set_password, name="set-password"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/disable/", views.two_factor_disable, name="two-factor-disable"),
]
