from django.urls import path

from koban.alerts import public, views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("new/<str:kind>/", views.alert_new, name="new"),
    path("receive/", views.cap_receive, name="receive"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/progress/", views.alert_progress, name="progress"),
    path("<int:pk>/approve/", views.alert_approve, name="approve"),
    path("<int:pk>/reject/", views.alert_reject, name="reject"),
    path("<int:pk>/update/", views.alert_update, name="update"),
    path("<int:pk>/cancel/", views.alert_cancel, name="cancel"),
    # Public: no sign-in.
    path("public/", public.public_list, name="public-list"),
    path("public/alerts.geojson", public.public_geojson, name="public-geojson"),
    path("public/<int:pk>/", public.public_detail, name="public-detail"),
    path("public/<int:pk>/cap.xml", public.public_cap, name="public-cap"),
    path("public/<int:pk>/alert.geojson", public.alert_geojson, name="public-alert-geojson"),
    path("feeds/<str:kind>/<str:key>.atom", public.feed, name="feed"),
    path("subscribe/", public.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", public.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("subscriptions/", public.my_subscriptions, name="mine"),
]
