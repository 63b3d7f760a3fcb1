from django.urls import URLPattern, URLResolver

app_name = "newsletters"
urlpatterns: list[URLPattern | URLResolver] = []
