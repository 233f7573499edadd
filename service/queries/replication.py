from service.queries.generated import replication as generated

caught_up = generated.caught_up
primary_position = generated.primary_position
