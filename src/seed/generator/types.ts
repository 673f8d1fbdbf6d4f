// Rows produced by the demo-data generator. Field keys are the dictionary keys (templates/dictionary.yaml).
// Codes are the code-list codes as strings, dates 'YYYY-MM-DD', months 'YYYY-MM', decimals numbers in fen.
// Type aliases rather than interfaces, so that rows are assignable to Record<string, unknown>.

export type OrgLevel = 'district' | 'street' | 'community' | 'grid';

export type OrgUnitRow = {
  code: string;
  name: string;
  level: OrgLevel;
  parentCode: string | null;
  sortOrder: number;
};

export type StaffRow = {
  id: number;
  orgUnitCode: string;
  staffName: string;
  staffPhone: string;
  /** 1 网格员 (bound to a grid), 2 社区干部 (bound to a community) */
  staffDuty: '1' | '2';
};

export type HouseholdRow = {
  id: number;
  gridCode: string;
  currentAddress: string;
  dwellingType: string | null;
  landlordName: string | null;
  landlordPhone: string | null;
};

/** Every dictionary field with entity: resident, except gender/birthDate (facts of idNumber) and liaisonStaff. */
export type ResidentFields = {
  idNumber: string;
  name: string;
  ethnicity: string | null;
  politicalStatus: string | null;
  maritalStatus: string | null;
  hukouNature: string | null;
  hukouAddress: string | null;
  employmentStatus: string | null;
  employer: string | null;
  phone: string | null;
  livingArrangement: string | null;
  registrationType: string;
  registeredOn: string;
  childrenCount: number | null;
  emergencyContactName: string | null;
  emergencyContactRelation: string | null;
  emergencyContactPhone: string | null;
  guardianName: string | null;
  guardianRelation: string | null;
  guardianPhone: string | null;
  healthStatus: string | null;
  proneToWandering: boolean | null;
  wanderingReason: string | null;
  heightCm: number | null;
  bodyType: string | null;
  physicalFeatures: string | null;
  antiWanderingDevice: string | null;
  photoCollected: boolean | null;
  familyDoctorSigned: boolean | null;
  familyDoctorName: string | null;
  disabilityCategory: string | null;
  disabilityGrade: string | null;
  enlistmentDate: string | null;
  dischargeDate: string | null;
  dischargeMethod: string | null;
  entitledGroup: string | null;
  arrivalDate: string | null;
  residenceReason: string | null;
  residencePermit: boolean | null;
  oldAgeAllowance: boolean | null;
  minimumLivingAllowance: boolean | null;
  extremePovertySupport: boolean | null;
  supportMode: string | null;
  /** yuan, a whole number of fen (2 decimals), e.g. 1196.5 */
  monthlySupportAmount: number | null;
  disabilityLivingSubsidy: boolean | null;
  severeDisabilityCareSubsidy: boolean | null;
  remarks: string | null;
};

export type ResidentRow = ResidentFields & {
  id: number;
  gridCode: string;
  householdId: number;
  liaisonStaffId: number | null;
  [key: string]: unknown;
};

export type VisitRow = {
  id: number;
  residentId: number;
  staffId: number;
  visitDate: string;
  visitMethod: string;
  physicalCondition: string | null;
  livingCondition: string | null;
  problemsFound: string | null;
  disposition: string;
  visitRemarks: string | null;
};

export type BusinessRow = {
  id: number;
  gridCode: string;
  operatorId: number;
  businessName: string;
  creditCode: string | null;
  businessCategory: string;
  businessAddress: string;
  operatingMode: string;
  employeeCount: number | null;
  frontDoorPledgeSigned: boolean | null;
  businessRemarks: string | null;
};

export type FirstIds = {
  household: number;
  resident: number;
  visit: number;
  business: number;
};

export type CommunityBatch =
  | { households: HouseholdRow[] }
  | { residents: ResidentRow[] }
  | { visits: VisitRow[] }
  | { businesses: BusinessRow[] };

export interface GenerateCommunityOptions {
  community: OrgUnitRow;
  grids: OrgUnitRow[];
  staff: StaffRow[];
  residents: number;
  seed: number;
  /** YYYY-MM-DD */
  today: string;
  firstIds: FirstIds;
}
