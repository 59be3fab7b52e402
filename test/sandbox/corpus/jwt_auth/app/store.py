USERS: dict[str, dict] = {}
