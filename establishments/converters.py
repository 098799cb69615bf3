class UAIConverter:
    regex = r"[0-9]{7}[A-Z]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
