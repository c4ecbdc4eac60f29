"""`kinga worker`: run background tasks (django-tasks-db), after taking back those a killed worker left."""

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from kinga.core.worker import requeue_interrupted, worker_id


class Command(DBWorkerCommand):
    help = "Run background tasks; tasks left RUNNING by a dead worker of this host are run again first."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id())

    def handle(self, *args, **options):
        for task_id in requeue_interrupted():
            self.stderr.write(f"worker: task {task_id} was left running by a dead worker: queued again")
        return super().handle(*args, **options)
