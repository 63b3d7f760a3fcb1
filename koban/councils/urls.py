from django.urls import path

from koban.councils import views

app_name = "councils"
urlpatterns = [
    path("", views.index, name="index"),
    path("renewals/", views.renewals, name="renewals"),
    path("boxes/<int:box_id>/open/", views.open_council, name="open"),
    path("<int:council_id>/", views.council, name="council"),
    path("<int:council_id>/members/new/", views.new_member, name="new-member"),
    path("<int:council_id>/meetings/new/", views.new_meeting, name="new-meeting"),
    path("members/<int:member_id>/renew/", views.renew_member, name="renew-member"),
    path("members/<int:member_id>/leave/", views.end_member, name="end-member"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/edit/", views.edit_meeting, name="edit-meeting"),
    path("stations/<int:station_id>/summary/", views.summary, name="summary"),
]
