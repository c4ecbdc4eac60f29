app_name = "households"

urlpatterns: list = []
