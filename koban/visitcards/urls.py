from django.urls import URLPattern, URLResolver

app_name = "visitcards"
urlpatterns: list[URLPattern | URLResolver] = []
