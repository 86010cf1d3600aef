import { loadSync } from '@grpc/proto-loader';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import * as protobuf from 'protobufjs';
import { PROTO_LOADER_OPTIONS } from './proto-loader.options';
import { protoRoot } from './proto-root';

/**
 * The generated types are only true if they describe what proto-loader hands to handlers and
 * clients. These tests compare, for every message and enum of every proto, the keys and enum values
 * ts-proto generated with the names protobufjs uses at runtime with PROTO_LOADER_OPTIONS.
 */
const GENERATED_DIR = join(__dirname, '..', 'generated');

/** Well-known types whose runtime shape under proto-loader differs from ts-proto's type for them. */
const UNSUPPORTED_TYPES = new Set(
  [
    'Any',
    'Struct',
    'Value',
    'ListValue',
    'FieldMask',
    'DoubleValue',
    'FloatValue',
    'Int64Value',
    'UInt64Value',
    'Int32Value',
    'UInt32Value',
    'BoolValue',
    'StringValue',
    'BytesValue',
  ].map((name) => `.google.protobuf.${name}`),
);

function protoFiles(): string[] {
  return readdirSync(protoRoot(), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.proto'))
    .map((file) => file.split(sep).join('/'))
    .sort();
}

/** Parses a proto the way proto-loader does, but keeping the original (snake_case) field names. */
function loadOriginalNames(file: string): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(protoRoot(), target));
  root.loadSync(file, { keepCase: true });
  root.resolveAll();
  return root;
}

function declaredIn(root: protobuf.Root, file: string): Array<protobuf.Type | protobuf.Enum> {
  const found: Array<protobuf.Type | protobuf.Enum> = [];
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if ((nested instanceof protobuf.Type || nested instanceof protobuf.Enum) && nested.filename?.endsWith(file)) {
        found.push(nested);
      }
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(root);
  return found;
}

/** "retail.dss.v1.Rule" -> "Rule"; nested "pkg.Outer.Inner" -> "Outer_Inner" (ts-proto's naming). */
function tsName(reflection: protobuf.ReflectionObject): string {
  const parts: string[] = [];
  for (
    let obj: protobuf.ReflectionObject | null = reflection;
    obj && (obj === reflection || obj instanceof protobuf.Type);
    obj = obj.parent
  ) {
    parts.unshift(obj.name);
  }
  return parts.join('_');
}

function block(source: string, kind: 'interface' | 'enum', name: string): string {
  const start = source.indexOf(`\nexport ${kind} ${name} {\n`);
  if (start < 0) throw new Error(`export ${kind} ${name} not found in generated code`);
  const end = source.indexOf('\n}\n', start);
  return source.slice(start, end);
}

describe('PROTO_LOADER_OPTIONS', () => {
  const files = protoFiles();

  it('finds the protos of every service', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'grpc/health/v1/health.proto',
        'retail/common/v1/common.proto',
        'retail/ingestion/v1/ingestion.proto',
        'retail/featurestore/v1/feature_store.proto',
        'retail/training/v1/training.proto',
        'retail/recommendation/v1/recommendation.proto',
        'retail/dss/v1/dss.proto',
      ]),
    );
  });

  it.each(files)('loads %s with proto-loader', (file) => {
    const definition = loadSync(file, PROTO_LOADER_OPTIONS);
    expect(Object.keys(definition).length).toBeGreaterThan(0);
  });

  describe.each(files)('generated types of %s', (file) => {
    const generatedFile = join(GENERATED_DIR, file.replace(/\.proto$/, '.ts'));
    const root = loadOriginalNames(file);
    const declared = declaredIn(root, file);

    it('exist', () => {
      expect(existsSync(generatedFile)).toBe(true);
      expect(declared.length).toBeGreaterThan(0);
    });

    it('use the keys proto-loader produces, optional exactly where proto-loader may leave them out or null', () => {
      const source = readFileSync(generatedFile, 'utf8');
      for (const type of declared.filter((d): d is protobuf.Type => d instanceof protobuf.Type)) {
        const runtime = type.fieldsArray
          .map((field) => {
            const absentOrNull =
              field.partOf !== null || (!field.repeated && !field.map && field.resolvedType instanceof protobuf.Type);
            return `${protobuf.util.camelCase(field.name)}${absentOrNull ? '?' : ''}`;
          })
          .sort();
        const generated = [...block(source, 'interface', tsName(type)).matchAll(/^ {2}(\w+\??):/gm)]
          .map((m) => m[1])
          .sort();
        expect({ type: type.fullName, keys: generated }).toEqual({ type: type.fullName, keys: runtime });
      }
    });

    it('use enum values equal to the names proto-loader produces', () => {
      const source = readFileSync(generatedFile, 'utf8');
      for (const enumType of declared.filter((d): d is protobuf.Enum => d instanceof protobuf.Enum)) {
        const generated = [...block(source, 'enum', tsName(enumType)).matchAll(/^ {2}\w+ = "(\w+)",$/gm)].map(
          (m) => m[1],
        );
        expect({ enum: enumType.fullName, values: generated }).toEqual({
          enum: enumType.fullName,
          values: Object.keys(enumType.values),
        });
      }
    });

    it('avoid well-known types that proto-loader and ts-proto represent differently', () => {
      const offending = declared
        .filter((d): d is protobuf.Type => d instanceof protobuf.Type)
        .flatMap((type) =>
          type.fieldsArray.map((field) => ({
            field: `${type.fullName}.${field.name}`,
            type: field.resolvedType?.fullName,
          })),
        )
        .filter((f) => f.type !== undefined && UNSUPPORTED_TYPES.has(f.type));
      expect(offending).toEqual([]);
    });
  });

  it('has a generated file for every proto and no generated file without a proto', () => {
    const generated = readdirSync(GENERATED_DIR, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.split(sep).join('/').replace(/\.ts$/, '.proto'))
      .filter((file) => !file.startsWith('google/protobuf/'))
      .sort();
    expect(generated).toEqual(files);
  });
});
