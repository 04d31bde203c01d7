from django.contrib.auth import views as auth_views

from .forms import ThrottledAuthenticationForm
from .policies import public

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=ThrottledAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout = public(auth_views.LogoutView.as_view())
