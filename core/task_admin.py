"""The queue of background work in the admin: *Background work → Tasks* (superusers).

``BackgroundWorkConfig`` stands in INSTALLED_APPS for ``django_tasks_db`` (the database back end's
table, same label and migrations) and lists it as "Background work", with the work named as the
newsroom says it ("Make the resized copies of a picture (12)", not a dotted path), its state, the
attempt, and for a failure the error and its traceback. Nothing here changes a task; the one action
queues a failed task once more (after fixing what made it fail).
"""

from django_tasks_db.apps import TasksAppConfig

STATES = {"READY": "Waiting", "RUNNING": "Running", "SUCCESSFUL": "Done", "FAILED": "Failed"}


class BackgroundWorkConfig(TasksAppConfig):
    verbose_name = "Background work"
    default = False

    def ready(self):
        super().ready()
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        # The back end registers its own admin (autodiscovered before this runs): ours replaces it.
        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
        admin.site.register(DBTaskResult, task_result_admin())
        # Titled in words on its own page, not "DBTaskResult object (<uuid>)".
        DBTaskResult.__str__ = describe_row
        DBTaskResult._meta.verbose_name = "task"
        DBTaskResult._meta.verbose_name_plural = "tasks"


def describe_row(row) -> str:
    from core.tasks import ATTEMPT, describe_task

    args_kwargs = row.args_kwargs or {}
    kwargs = {k: v for k, v in args_kwargs.get("kwargs", {}).items() if k != ATTEMPT}
    return describe_task(row.task_path, args_kwargs.get("args", []), kwargs)


def task_result_admin():
    """The admin class (made here: it needs the model, which this module may not import when
    INSTALLED_APPS is read)."""
    from django.contrib import admin, messages
    from django.utils.html import format_html
    from django_tasks_db.admin import DBTaskResultAdmin

    from core.tasks import ATTEMPT, run_again

    class TaskResultAdmin(DBTaskResultAdmin):
        list_display = ["what", "state", "attempt", "enqueued_at", "error"]
        list_display_links = ["what"]
        list_filter = ["status", "queue_name"]
        ordering = ["-enqueued_at"]
        date_hierarchy = "enqueued_at"
        actions = ["queue_again"]

        def get_fields(self, request, obj=None):
            return ["what", "state", "attempt", "enqueued_at", "started_at", "finished_at",
                    "display_run_after", "error", "traceback_text", "worker_ids",
                    "task_path", "id"]  # fmt: skip

        def get_readonly_fields(self, request, obj=None):
            return self.get_fields(request, obj)

        @admin.display(description="Work", ordering="task_path")
        def what(self, obj):
            return describe_row(obj)

        @admin.display(description="State", ordering="status")
        def state(self, obj):
            return STATES.get(obj.status, obj.status)

        @admin.display(description="Attempt")
        def attempt(self, obj):
            return (obj.args_kwargs or {}).get("kwargs", {}).get(ATTEMPT, 1)

        @admin.display(description="Error")
        def error(self, obj):
            """What went wrong in words: the traceback's last line (the exception's message)."""
            if not obj.exception_class_path:
                return "—"
            lines = (obj.traceback or "").strip().splitlines()
            message = lines[-1] if lines else obj.exception_class_path
            return message.removeprefix(obj.exception_class_path + ": ")

        @admin.display(description="Traceback")
        def traceback_text(self, obj):
            # Wrapped, so that the end of a long line (the error itself) is not cut off.
            return format_html(
                '<pre style="white-space: pre-wrap; overflow-wrap: anywhere">{}</pre>',
                obj.traceback or "",
            )

        @admin.action(description="Queue the selected failed tasks again")
        def queue_again(self, request, queryset):
            if not request.user.is_superuser:
                self.message_user(request, "Only an administrator can do that.", messages.ERROR)
                return
            again = [row for row in queryset if row.status == "FAILED" and run_again(row)]
            count = f"{len(again)} task{'' if len(again) == 1 else 's'}"
            self.message_user(request, f"{count} queued again.", messages.SUCCESS)

    return TaskResultAdmin
