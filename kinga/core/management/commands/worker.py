"""`kinga worker`: run background tasks (django-tasks-db), after taking back those a killed worker left."""

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from kinga.core.worker import requeue_interrupted, worker_id


class Command(DBWorkerCommand):
    help = (
        "Exécuter les tâches de fond ; les tâches laissées en cours (RUNNING) par un worker mort de cette machine "
        "sont relancées d'abord."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id())

    def handle(self, *args, **options):
        for task_id in requeue_interrupted():
            self.stderr.write(
                f"worker : la tâche {task_id} était restée en cours sur un worker mort : remise en file d'attente"
            )
        return super().handle(*args, **options)
