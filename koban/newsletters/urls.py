from django.urls import path

from koban.newsletters import views

app_name = "newsletters"
urlpatterns = [
    # The officers' editor.
    path("", views.index, name="index"),
    path("boxes/<int:box_id>/generate/", views.generate, name="generate"),
    path("issues/<int:issue_id>/edit/", views.edit, name="edit"),
    path("issues/<int:issue_id>/publish/", views.publish, name="publish"),
    path("issues/<int:issue_id>/draft.pdf", views.draft_pdf, name="draft-pdf"),
    # Public (no login): the box's page, its map, published issues.
    path("boxes/<int:box_id>/", views.public_box, name="public-box"),
    path("boxes/<int:box_id>/map.png", views.public_box_map, name="public-box-map"),
    path("issues/<int:issue_id>/", views.public_issue, name="public-issue"),
    path("issues/<int:issue_id>/pdf/", views.public_pdf, name="public-pdf"),
]
