"""Kinga: information system of the Lualaba plan to take children out of the copper and cobalt supply chain."""
