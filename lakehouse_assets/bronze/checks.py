"""Asset checks on the bronze tables: the landing files' shape against the source contract."""

BRONZE_CHECKS: list = []
