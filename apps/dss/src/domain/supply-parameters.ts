/** How an item is bought: what the inventory policy needs besides demand. */
export interface SupplyParameters {
  sku: string;
  /** '' = applies to every store without parameters of its own. */
  storeId: string;
  leadTimeDays: number;
  leadTimeStdDays: number;
  unitCostMinor: number;
  orderCostMinor: number;
  /** Yearly holding cost as a share of unit cost; undefined = the service default. */
  holdingCostRate?: number;
  currency: string;
  minOrderQty: number;
  packSize: number;
  serviceLevel: number;
  /** 0 = continuous review; otherwise review every N days (periodic review). */
  reviewPeriodDays: number;
  updatedAt: Date;
  updatedBy: string;
}
