from careweave.careplans.models.coordination import (
    CaseManagementEpisode,
    CaseManagementRequest,
    CoordinationEpisode,
    TrainingRecord,
)
from careweave.careplans.models.plan import Agreement, CarePlan, Goal, JournalEntry, LifeGoal, PlanReview, Task
from careweave.careplans.models.team import CareTeam, TeamMember

__all__ = [
    "Agreement",
    "CarePlan",
    "CareTeam",
    "CaseManagementEpisode",
    "CaseManagementRequest",
    "CoordinationEpisode",
    "Goal",
    "JournalEntry",
    "LifeGoal",
    "PlanReview",
    "Task",
    "TeamMember",
    "TrainingRecord",
]
