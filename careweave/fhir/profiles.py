"""Canonical URLs: the HL7 Belgium profiles we declare, and Careweave's own systems and extensions.

The Belgian canonicals come from the FSH sources in ``shared/fhir-be`` (``Id:`` of each profile under
the IG's canonical base). Careweave's own URLs live under :data:`CAREWEAVE`; they name codes and
extensions that have no Belgian or HL7 equivalent (a goal's life domain, the plan a goal serves...).
"""

from __future__ import annotations

BE_CORE = "https://www.ehealth.fgov.be/standards/fhir/core"
BE_PATIENT_CARE = "https://www.ehealth.fgov.be/standards/fhir/patient-care"

PROFILES: dict[str, str] = {
    "Patient": f"{BE_CORE}/StructureDefinition/be-patient",
    "Practitioner": f"{BE_CORE}/StructureDefinition/be-practitioner",
    "PractitionerRole": f"{BE_CORE}/StructureDefinition/be-practitionerrole",
    "Organization": f"{BE_CORE}/StructureDefinition/be-organization",
    "Communication": f"{BE_CORE}/StructureDefinition/be-communication",
    "Consent": f"{BE_CORE}/StructureDefinition/be-Consent",
    "CareTeam": f"{BE_PATIENT_CARE}/StructureDefinition/be-careteam",
    "CarePlan": f"{BE_PATIENT_CARE}/StructureDefinition/be-care-plan",
    "Goal": f"{BE_PATIENT_CARE}/StructureDefinition/be-goal",
    "Task": f"{BE_PATIENT_CARE}/StructureDefinition/be-task",
}

# Identifier systems (HL7 Belgium naming systems). BePractitioner and BeOrganization slice NIHDI
# numbers on ``.../nihdi``; the more specific professional/organisation systems are accepted too.
SSIN = f"{BE_CORE}/NamingSystem/ssin"
NIHDI = f"{BE_CORE}/NamingSystem/nihdi"
NIHDI_PROFESSIONAL = f"{BE_CORE}/NamingSystem/nihdi-professional"
NIHDI_ORGANIZATION = f"{BE_CORE}/NamingSystem/nihdi-organization"
NIHDI_SYSTEMS = (NIHDI, NIHDI_PROFESSIONAL, NIHDI_ORGANIZATION)
CBE = f"{BE_CORE}/NamingSystem/cbe"
HCPARTY = f"{BE_CORE}/CodeSystem/cd-hcparty"
URI = "urn:ietf:rfc:3986"  # identifier system for a URI such as urn:uuid:...

# HL7 code systems
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
LOINC = "http://loinc.org"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
LANGUAGE = "urn:ietf:bcp:47"
CANDIDATE_LIST = "http://hl7.org/fhir/StructureDefinition/task-candidateList"

# Careweave's own code systems and extensions (no equivalent in HL7 Belgium yet).
CAREWEAVE = "https://careweave.org/fhir"
CW_DISCIPLINE = f"{CAREWEAVE}/CodeSystem/discipline"
CW_ORGANISATION_KIND = f"{CAREWEAVE}/CodeSystem/organisation-kind"
CW_GOAL_KIND = f"{CAREWEAVE}/CodeSystem/goal-kind"
CW_LIFE_DOMAIN = f"{CAREWEAVE}/CodeSystem/life-domain"
CW_RELATIONSHIP = f"{CAREWEAVE}/CodeSystem/relationship"
CW_JOURNAL = f"{CAREWEAVE}/CodeSystem/journal-category"
CW_ACCESS_SECTOR = f"{CAREWEAVE}/CodeSystem/access-sector"
CW_RULE = f"{CAREWEAVE}/CodeSystem/rule"
CW_AUDIT_BASIS = f"{CAREWEAVE}/CodeSystem/access-basis"
EXT_CARE_PLAN = f"{CAREWEAVE}/StructureDefinition/care-plan"
EXT_LIFE_GOAL = f"{CAREWEAVE}/StructureDefinition/life-goal"
EXT_NEXT_REVIEW = f"{CAREWEAVE}/StructureDefinition/next-review"
EXT_MEMBER_STATUS = f"{CAREWEAVE}/StructureDefinition/team-member-status"
EXT_REFERENCE_PERSON = f"{CAREWEAVE}/StructureDefinition/reference-person"
EXT_INFORMAL_CARER = f"{CAREWEAVE}/StructureDefinition/informal-carer"
# valueBoolean true: the client confirms the signed, dated written mandate (patient-rights law art. 14)
EXT_REPRESENTATION_MANDATE = f"{CAREWEAVE}/StructureDefinition/representation-mandate-confirmed"
EXT_ACCESS_LEVEL = f"{CAREWEAVE}/StructureDefinition/access-level"
# On an element Careweave filled itself in a resource received from another system (fhir/sources.py).
EXT_ADDED_BY_CAREWEAVE = f"{CAREWEAVE}/StructureDefinition/added-by-careweave"
