from django.urls import URLPattern, URLResolver, path

from koban.voice import views

app_name = "voice"
urlpatterns: list[URLPattern | URLResolver] = [
    # Public (no login): the form, the thanks page, one request by its token, outcomes, duplicates.
    path("new/", views.new_request, name="new"),
    path("thanks/", views.thanks, name="thanks"),
    path("r/<uuid:token>/", views.public_request, name="public-request"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("similar/", views.similar, name="similar"),
    # The box's side.
    path("", views.queue, name="queue"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/status/", views.change_status, name="status"),
    path("requests/<int:request_id>/moderate/", views.moderate, name="moderate"),
    path("requests/<int:request_id>/action/", views.make_action, name="make-action"),
    path("actions/", views.actions, name="actions"),
    path("actions/<int:action_id>/", views.action_detail, name="action"),
    path("actions/<int:action_id>/complete/", views.complete_action, name="complete"),
]
