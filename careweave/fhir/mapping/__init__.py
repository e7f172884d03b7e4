"""Model <-> FHIR resource mappings, one module per resource group.

``people`` (Patient, Practitioner, PractitionerRole, Organization, RelatedPerson), ``careplans``
(CareTeam, CarePlan, Goal, Task, Communication) and ``access`` (Consent, AuditEvent). Each
mapping reads a record into a resource and turns an incoming resource into calls of the domain
actions, so the API can never bypass a rule.
"""
