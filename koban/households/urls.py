from django.urls import URLPattern, URLResolver

app_name = "households"
urlpatterns: list[URLPattern | URLResolver] = []
