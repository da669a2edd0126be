export { demoCrmDocument, startDemoCrm, type DemoCrm } from './demo-crm.js';
export { demoPolicy, provisionDemo } from './provision.js';
