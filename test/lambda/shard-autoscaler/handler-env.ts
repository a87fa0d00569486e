/**
 * Imported first by the handler tests: the handler builds its SDK clients from the environment when its module loads, as
 * in Lambda, so the environment points at the moto server before that.
 */
import { motoEndpoint } from '../../support/moto';

process.env.AWS_ENDPOINT_URL = motoEndpoint();
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
