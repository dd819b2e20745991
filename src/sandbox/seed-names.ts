// Word lists for the seed data. Invented names on reserved example domains and
// 555 phone numbers, so nothing here points at a real person or company.

export const FIRST_NAMES = [
  'Amara', 'Benjamin', 'Camila', 'Dmitri', 'Elena', 'Farah', 'Gabriel', 'Hana',
  'Isaac', 'Jasmine', 'Kofi', 'Leah', 'Mateo', 'Nadia', 'Oscar', 'Priya',
  'Quinn', 'Rosa', 'Samuel', 'Tamara', 'Umar', 'Valerie', 'Wesley', 'Yuki'
] as const

export const LAST_NAMES = [
  'Abernathy', 'Baptiste', 'Castellanos', 'Delacroix', 'Eriksen', 'Fontaine',
  'Gallagher', 'Hoang', 'Iwasaki', 'Jablonski', 'Kowalczyk', 'Lindqvist',
  'Mbeki', 'Novak', 'Okafor', 'Pellegrino', 'Quintero', 'Rasmussen',
  'Sandoval', 'Thornbury', 'Underhill', 'Valdivia', 'Whitfield', 'Zamora'
] as const

export const BUSINESS_NAMES = [
  'Juniper Street Bakery LLC', 'Northgate Freight Inc', 'Copperleaf Dental PLLC',
  'Harbor & Pine Design Studio LLC', 'Tallgrass Landscaping Co', 'Brightwater Tutoring LLC',
  'Red Mesa Auto Repair Inc', 'Lantern Hill Books LLC', 'Silverline Courier Inc',
  'Blue Heron Yoga LLC', 'Foxglove Floral Inc', 'Ironbridge Carpentry LLC'
] as const

export const STREETS = [
  'Maple Ave', 'Cedar St', 'Willow Ln', 'Lakeview Dr', 'Hawthorne Rd', 'Orchard Way',
  'Birch Ct', 'Sycamore Blvd', 'Chestnut St', 'Riverside Dr', 'Aspen Pl', 'Magnolia Ave'
] as const

export const PLACES = [
  { city: 'Portland', state: 'OR', postalCode: '97205' },
  { city: 'Austin', state: 'TX', postalCode: '78704' },
  { city: 'Columbus', state: 'OH', postalCode: '43215' },
  { city: 'Raleigh', state: 'NC', postalCode: '27601' },
  { city: 'Denver', state: 'CO', postalCode: '80203' },
  { city: 'Madison', state: 'WI', postalCode: '53703' },
  { city: 'Tucson', state: 'AZ', postalCode: '85701' },
  { city: 'Richmond', state: 'VA', postalCode: '23219' },
  { city: 'Boise', state: 'ID', postalCode: '83702' },
  { city: 'Savannah', state: 'GA', postalCode: '31401' }
] as const

export const MERCHANTS = [
  { name: 'Corner Grind Coffee', type: 5814, category: 'Fast Food Restaurants' },
  { name: 'Greenbasket Grocery', type: 5411, category: 'Grocery Stores, Supermarkets' },
  { name: 'Fuel Stop 24', type: 5542, category: 'Automated Fuel Dispensers' },
  { name: 'Paperwhite Office Supply', type: 5943, category: 'Stationery Stores' },
  { name: 'Riverside Pharmacy', type: 5912, category: 'Drug Stores and Pharmacies' },
  { name: 'Ticketbox Cinemas', type: 7832, category: 'Motion Picture Theaters' },
  { name: 'Harvest Table Bistro', type: 5812, category: 'Eating Places, Restaurants' },
  { name: 'Cloudnest Hosting', type: 4816, category: 'Computer Network Services' },
  { name: 'Metro Transit Card', type: 4111, category: 'Commuter Transport' },
  { name: 'Hardline Hardware', type: 5251, category: 'Hardware Stores' }
] as const

export const PAYERS = [
  'Evergreen Payroll Services', 'Summit Staffing Group', 'Blue Ridge Health System',
  'Cascade School District', 'Orbital Software Inc', 'Meridian Logistics'
] as const

export const PAYEES = [
  'Lakeshore Property Management', 'Valley Electric Cooperative', 'Pinecrest Auto Finance',
  'Northstar Insurance Co', 'Clearwater Utilities', 'Keystone Student Loans'
] as const

export const ATMS = ['First Street ATM', 'Union Station ATM', 'Campus Center ATM'] as const
