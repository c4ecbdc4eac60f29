app_name = "supply"

urlpatterns: list = []
