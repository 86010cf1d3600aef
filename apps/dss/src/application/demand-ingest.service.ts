import { Injectable } from '@nestjs/common';
import { EventPayload } from '@app/contracts/events';
import { processOnce } from '@app/platform/messaging';
import { DataSource } from 'typeorm';
import { DemandRepository } from '../infra/demand.repository';
import { SupplyParametersRepository } from '../infra/supply-parameters.repository';

/** Applies ingestion's facts to the DSS's own tables, once per message (redelivery changes nothing). */
@Injectable()
export class DemandIngestService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly demand: DemandRepository,
    private readonly supply: SupplyParametersRepository,
  ) {}

  salesLine(consumer: string, msgId: string, line: EventPayload<'sales.v1.line'>): Promise<boolean> {
    return processOnce(this.dataSource, consumer, { msgId }, (m) => this.demand.applySalesLine(m, line));
  }

  stockPosition(consumer: string, msgId: string, p: EventPayload<'stock.v1.position'>): Promise<boolean> {
    return processOnce(this.dataSource, consumer, { msgId }, (m) => this.demand.applyStockPosition(m, p));
  }

  item(consumer: string, msgId: string, item: EventPayload<'catalog.v1.item'>): Promise<boolean> {
    return processOnce(this.dataSource, consumer, { msgId }, (m) => this.demand.applyItem(m, item));
  }

  supplyParameters(consumer: string, msgId: string, p: EventPayload<'supply.v1.parameters'>): Promise<boolean> {
    return processOnce(this.dataSource, consumer, { msgId }, (m) =>
      this.supply.upsert(m, {
        sku: p.sku,
        storeId: p.storeId ?? '',
        leadTimeDays: p.leadTimeDays,
        leadTimeStdDays: p.leadTimeStdDays,
        unitCostMinor: p.unitCostMinor,
        orderCostMinor: p.orderCostMinor,
        holdingCostRate: p.holdingCostRate,
        currency: p.currency,
        minOrderQty: p.minOrderQty,
        packSize: p.packSize,
        serviceLevel: p.serviceLevel,
        reviewPeriodDays: 0,
        updatedAt: new Date(p.updatedAt),
        updatedBy: 'ingestion',
      }),
    );
  }
}
