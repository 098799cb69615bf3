from django.urls import path

from . import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("mot-de-passe/", views.password_change_view, name="password_change"),
    path("utilisateurs/", views.users_view, name="users"),
    path("utilisateurs/nouveau/", views.user_create_view, name="user_create"),
    path("utilisateurs/<int:pk>/", views.user_detail_view, name="user_detail"),
    path("utilisateurs/<int:pk>/desactiver/", views.user_deactivate_view, name="user_deactivate"),
    path("utilisateurs/<int:pk>/reactiver/", views.user_reactivate_view, name="user_reactivate"),
    path("utilisateurs/<int:pk>/mot-de-passe/", views.user_password_reset_view, name="user_password_reset"),
    path("utilisateurs/<int:pk>/e-mail/", views.user_email_view, name="user_email"),
    path("utilisateurs/acces-apprenants/", views.learner_access_view, name="learner_access"),
    path("journal/", views.audit_log_view, name="audit_log"),
    path("acces-inspecteur/", views.inspector_access_view, name="inspector_access"),
    path("acces-inspecteur/<int:pk>/fermer/", views.inspector_close_view, name="inspector_close"),
]
