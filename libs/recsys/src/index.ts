/**
 * @app/recsys — framework-free recommenders, their evaluation, and the artifact format.
 *
 * Typical use (what the training service does):
 *   const data = InteractionDataset.fromInteractions(rows, { items });
 *   const { train, test } = splitDataset(data, { method: 'temporal', ratio: 0.8, seed: 1 });
 *   const model = defaultRegistry.create('ease', { lambda: 300 });
 *   await model.fit(train);
 *   const metrics = evaluateRecommender(model, train, test, { k: 10 });
 *   const bytes = model.serialize();                       // store; checksum inside
 *   const served = defaultRegistry.deserialize(bytes);     // in the recommendation service
 *   served.recommend({ userId: 'u1', items: ['recent-item'] }, { k: 10, exclude: outOfStock });
 */
export * from './core/recsys.errors';
export * from './core/id.map';
export * from './core/interaction.types';
export * from './core/interaction.dataset';
export * from './core/csr.matrix';
export * from './math/rng';
export * from './math/top-k';
export * from './math/tf.backend';
export * from './artifact/artifact.codec';
export * from './models/recommender.types';
export * from './models/params.schema';
export * from './models/base.recommender';
export * from './models/popularity.recommender';
export * from './models/trending.recommender';
export * from './models/ease.recommender';
export * from './models/item-knn.recommender';
export * from './models/als.recommender';
export * from './models/bpr.recommender';
export * from './models/content.recommender';
export * from './models/session-knn.recommender';
export * from './models/hybrid.recommender';
export * from './models/algorithm.registry';
export * from './evaluation/ranking.metrics';
export * from './evaluation/dataset.splits';
export * from './evaluation/recommender.evaluator';
export * from './evaluation/hyper-parameter.search';
export * from './datasets/csv.reader';
export * from './datasets/movielens.parser';
export * from './datasets/online-retail.parser';
export * from './datasets/interactions-csv.parser';
